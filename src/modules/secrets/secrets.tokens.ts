/** The SecretBox that seals secrets at rest (see secret-box.ts). */
export const SECRET_BOX = Symbol('SECRET_BOX');
