// Copies the console's static files (HTML, CSS) next to its compiled modules in dist/console.
import { cpSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
cpSync(path.join(root, 'src', 'console', 'public'), path.join(root, 'dist', 'console'), { recursive: true });
