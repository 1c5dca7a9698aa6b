/** The SecretBox that seals source credentials (see secret-box.ts). */
export const SECRET_BOX = Symbol('SECRET_BOX');
