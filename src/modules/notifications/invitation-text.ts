/** An invitation in the person's language (a `language` column), English when it has none of these. */
const TEXTS: Record<string, { subject: string; body: (name: string, workspace: string) => string }> = {
  en: { subject: 'You are invited to {workspace}', body: (name, workspace) => `Hello ${name},\n\nyou have been added to ${workspace}. Welcome!\n` },
  de: { subject: 'Einladung zu {workspace}', body: (name, workspace) => `Hallo ${name},\n\nSie wurden zu ${workspace} hinzugefügt. Willkommen!\n` },
  fr: { subject: 'Invitation à {workspace}', body: (name, workspace) => `Bonjour ${name},\n\nvous avez été ajouté(e) à ${workspace}. Bienvenue !\n` },
  es: { subject: 'Invitación a {workspace}', body: (name, workspace) => `Hola ${name}:\n\nse le ha añadido a ${workspace}. ¡Bienvenido/a!\n` },
  nl: { subject: 'Uitnodiging voor {workspace}', body: (name, workspace) => `Hallo ${name},\n\nje bent toegevoegd aan ${workspace}. Welkom!\n` },
};

export function invitation(language: string | null, name: string, workspace: string): { subject: string; text: string; language: string } {
  const code = (language ?? '').toLowerCase().slice(0, 2);
  const chosen = TEXTS[code] ? code : 'en';
  const text = TEXTS[chosen];
  return { subject: text.subject.replace('{workspace}', workspace), text: text.body(name, workspace), language: chosen };
}
