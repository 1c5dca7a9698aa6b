import { X509Certificate } from 'node:crypto';
import ssh2 from 'ssh2';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsObject, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { ValidationError, type FieldProblem } from '../http/domain-errors.js';
import { validateInput } from '../http/validate-input.js';

export const AUTH_TYPES = ['none', 'password', 'privateKey', 'basic', 'bearer'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];
const AUTH_FOR: Record<'sftp' | 'https', AuthType[]> = { sftp: ['password', 'privateKey'], https: ['none', 'basic', 'bearer'] };

/** A source as stored and shown: everything but its secrets. */
export interface Source {
  id: string;
  name: string;
  /** `sftp://host:port/path` or `https://host/path`, never with credentials. */
  uri: string;
  /** SFTP: the uri names a folder and the newest file matching this glob is taken. */
  pattern: string | null;
  auth: AuthType;
  username: string | null;
  /** SFTP: the server's host key, `SHA256:<base64>` as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint: string | null;
  /** HTTPS: a PEM certificate (or CA) trusted for this source besides the system's. */
  caCertificate: string | null;
  /** SFTP: what happens to the remote file once it is stored: keep, move:<folder>, delete. */
  afterImport: string;
  createdAt: string;
  updatedAt: string;
}

/** What is encrypted at rest and never returned. */
export interface SourceSecrets {
  password?: string;
  privateKey?: string;
  passphrase?: string;
  token?: string;
}

export type SourceInput = Omit<Source, 'id' | 'createdAt' | 'updatedAt'> & { secrets: SourceSecrets | undefined };

class CredentialsDto {
  @ApiProperty({ enum: AUTH_TYPES, description: 'SFTP: password or privateKey; HTTPS: none, basic or bearer.' })
  @IsIn([...AUTH_TYPES], { message: `type must be one of ${AUTH_TYPES.join(', ')}` })
  type!: AuthType;

  @ApiPropertyOptional({ maxLength: 200, description: 'password, privateKey, basic (or in the uri: sftp://user@host/path).' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200)
  username?: string;

  @ApiPropertyOptional({ maxLength: 1000, description: 'password, basic.' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(1000)
  password?: string;

  @ApiPropertyOptional({ maxLength: 20_000, description: 'privateKey: an OpenSSH or PEM private key.' })
  @IsOptional() @IsString() @MaxLength(20_000)
  privateKey?: string;

  @ApiPropertyOptional({ maxLength: 1000, description: "privateKey: the key's passphrase, if it has one." })
  @IsOptional() @IsString() @MaxLength(1000)
  passphrase?: string;

  @ApiPropertyOptional({ maxLength: 10_000, description: 'bearer.' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(10_000)
  token?: string;
}

export class SourceDto {
  @ApiProperty({ minLength: 1, maxLength: 200, description: 'Unique in the workspace.', example: 'HR drop folder' })
  @IsString() @MinLength(1) @MaxLength(200)
  name!: string;

  @ApiProperty({ maxLength: 2000, description: 'sftp://host:port/path or https://host/path, without a password.', example: 'sftp://sftp.example.com:22/exports' })
  @IsString() @MaxLength(2000)
  uri!: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'SFTP: the uri names a folder, and the newest file matching this glob is taken.', example: 'employees-*.csv' })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200)
  pattern?: string;

  @ApiPropertyOptional({ type: CredentialsDto, description: 'Encrypted at rest, never returned; left out on PUT, the stored ones stay.' })
  /** Omitted on PUT: the stored credentials stay. */
  @IsOptional() @IsObject() @ValidateNested() @Type(() => CredentialsDto)
  credentials?: CredentialsDto;

  @ApiPropertyOptional({ pattern: '^SHA256:[A-Za-z0-9+/]{43}=?$', description: "SFTP: the server's host key, as ssh-keygen -lf prints it." })
  @IsOptional()
  @Matches(/^SHA256:[A-Za-z0-9+/]{43}=?$/, { message: 'hostKeyFingerprint must look like SHA256:<43 base64 characters>, as `ssh-keygen -lf <key>` prints it' })
  hostKeyFingerprint?: string;

  @ApiPropertyOptional({ maxLength: 100_000, description: 'HTTPS: a PEM certificate (or CA) trusted besides the system ones.' })
  @IsOptional() @IsString() @MaxLength(100_000)
  caCertificate?: string;

  @ApiPropertyOptional({ pattern: '^(keep|delete|move:.+)$', default: 'keep', description: 'SFTP: what happens to the remote file once stored.' })
  @IsOptional()
  @Matches(/^(keep|delete|move:[^\0]+)$/, { message: 'afterImport must be "keep", "delete" or "move:<folder>"' })
  afterImport?: string;
}

/**
 * A source from a request, checked whole: scheme and address, credentials fitting the scheme, a
 * private key that opens with its passphrase, a certificate that parses, a move folder inside the
 * drop folder. `existing` (on PUT) supplies the credentials when the request leaves them out.
 */
export function parseSource(body: unknown, existing?: Pick<Source, 'auth' | 'username' | 'uri' | 'hostKeyFingerprint'>): SourceInput {
  const dto = validateInput(SourceDto, body, 'body');
  const problems: FieldProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ field, message });

  let url: URL | undefined;
  try {
    url = new URL(dto.uri);
  } catch {
    problem('uri', 'not a URL: use sftp://host:port/path or https://host/path');
  }
  const scheme = url?.protocol === 'sftp:' ? 'sftp' : url?.protocol === 'https:' ? 'https' : undefined;
  if (url && !scheme) problem('uri', `the scheme must be sftp or https (got "${url.protocol.replace(/:$/, '')}")`);
  if (url?.password) problem('uri', 'no password in the uri: send it in credentials, where it is encrypted');
  if (url && scheme === 'sftp' && (url.search || url.hash)) problem('uri', 'an sftp uri has no query or fragment');
  if (url && scheme === 'sftp' && (url.pathname === '' || url.pathname === '/') && !dto.pattern) problem('uri', 'name the file, or a folder with a pattern');
  try {
    if (url) decodeURIComponent(url.pathname);
  } catch {
    problem('uri', 'the path has a % that is not followed by two hex digits');
  }

  const credentials = dto.credentials;
  const auth = credentials?.type ?? existing?.auth ?? (scheme === 'https' ? 'none' : undefined);
  const username = credentials ? credentials.username ?? (url?.username ? decodeURIComponent(url.username) : undefined) : existing?.username ?? undefined;
  if (scheme && !auth) problem('credentials', 'an SFTP source needs credentials: { type: "password", username, password } or { type: "privateKey", username, privateKey, passphrase? }');
  if (scheme && auth && !AUTH_FOR[scheme].includes(auth)) problem('credentials.type', `an ${scheme} source takes ${AUTH_FOR[scheme].join(', ')}`);
  let secrets: SourceSecrets | undefined;
  if (credentials) {
    secrets = {};
    const need = (field: keyof CredentialsDto) => {
      if (!credentials[field]) problem(`credentials.${field}`, `required for type "${credentials.type}"`);
    };
    if (auth === 'password' || auth === 'basic' || auth === 'privateKey') {
      if (!username) problem('credentials.username', 'required (or put it in the uri: sftp://user@host/path)');
    }
    if (auth === 'password' || auth === 'basic') {
      need('password');
      secrets.password = credentials.password;
    } else if (auth === 'privateKey') {
      need('privateKey');
      if (credentials.privateKey) {
        const parsed = ssh2.utils.parseKey(credentials.privateKey, credentials.passphrase);
        if (parsed instanceof Error) {
          problem('credentials.privateKey', /passphrase|decrypt|encrypted/i.test(parsed.message) ? 'the key is encrypted: the passphrase is missing or wrong' : `not a private key ssh can use: ${parsed.message}`);
        }
      }
      secrets.privateKey = credentials.privateKey;
      if (credentials.passphrase) secrets.passphrase = credentials.passphrase;
    } else if (auth === 'bearer') {
      need('token');
      secrets.token = credentials.token;
    }
  }

  if (dto.pattern && scheme === 'https') problem('pattern', 'an https source names one file; patterns are for SFTP folders');
  if (dto.pattern?.includes('/')) problem('pattern', 'a pattern matches file names in the folder: no "/"');
  if (dto.hostKeyFingerprint && scheme === 'https') problem('hostKeyFingerprint', 'only for SFTP sources');
  if (dto.caCertificate) {
    if (scheme !== 'https') problem('caCertificate', 'only for https sources');
    try {
      new X509Certificate(dto.caCertificate);
    } catch {
      problem('caCertificate', 'not a PEM certificate');
    }
  }
  const afterImport = dto.afterImport ?? 'keep';
  if (afterImport !== 'keep' && scheme === 'https') problem('afterImport', 'only SFTP sources can move or delete their file');
  if (afterImport.startsWith('move:')) {
    const folder = afterImport.slice(5);
    if (folder.startsWith('/') || folder.split('/').some((part) => part === '..' || part === '.' || part === '')) {
      problem('afterImport', 'move:<folder> names a folder inside the source folder, like move:processed (no "/" at the start, no "..")');
    }
  }
  // Stored credentials only ever go to the server they were given for: a new host, port or scheme,
  // or another pinned host key, needs them sent again.
  if (existing && url && !credentials && existing.auth !== 'none') {
    const before = new URL(existing.uri);
    const moved = before.protocol !== url.protocol || before.host !== url.host;
    const rekeyed = existing.hostKeyFingerprint !== null && existing.hostKeyFingerprint !== (dto.hostKeyFingerprint?.replace(/=$/, '') ?? null);
    if (moved || rekeyed) problem('credentials', `send the credentials again: the source now points at ${moved ? 'another server' : 'a server with another host key'}, and stored credentials only go to the one they were given for`);
  }
  if (problems.length) throw new ValidationError(`body is invalid: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, problems);

  url!.username = '';
  return {
    name: dto.name.trim(),
    uri: url!.toString(),
    pattern: dto.pattern ?? null,
    auth: auth!,
    username: auth === 'none' || auth === 'bearer' ? null : username ?? null,
    hostKeyFingerprint: dto.hostKeyFingerprint?.replace(/=$/, '') ?? null,
    caCertificate: dto.caCertificate ?? null,
    afterImport,
    secrets,
  };
}
