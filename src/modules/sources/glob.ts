type Token = { kind: 'star' } | { kind: 'one' } | { kind: 'class'; negated: boolean; ranges: [string, string][] } | { kind: 'char'; char: string };

/**
 * A file-name glob: `*` any run of characters, `?` one character, `[abc]`/`[a-z]`/`[!x]` a class;
 * everything else literal. Matches whole names, case-sensitively (as the server names them), in
 * time linear in pattern × name: no backtracking a pattern like `*a*a*a*b` could make explode.
 */
export function globMatcher(pattern: string): (name: string) => boolean {
  const tokens = tokenize(pattern);
  return (name) => {
    const chars = [...name];
    let t = 0;
    let c = 0;
    // The last star seen and the position in the name it was tried from: on a mismatch, the star
    // takes one more character and matching resumes after it.
    let star = -1;
    let starFrom = 0;
    while (c < chars.length) {
      const token = tokens[t];
      if (token?.kind === 'star') {
        star = t++;
        starFrom = c;
      } else if (token && matchesOne(token, chars[c])) {
        t++;
        c++;
      } else if (star !== -1) {
        t = star + 1;
        c = ++starFrom;
      } else {
        return false;
      }
    }
    while (tokens[t]?.kind === 'star') t++;
    return t === tokens.length;
  };
}

function matchesOne(token: Token, char: string): boolean {
  switch (token.kind) {
    case 'one':
      return true;
    case 'char':
      return token.char === char;
    case 'class':
      return token.ranges.some(([from, to]) => char >= from && char <= to) !== token.negated;
    default:
      return false;
  }
}

function tokenize(pattern: string): Token[] {
  const chars = [...pattern];
  const tokens: Token[] = [];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (ch === '?') {
      tokens.push({ kind: 'one' });
    } else if (ch === '[' && chars.indexOf(']', i + 2) !== -1) {
      const end = chars.indexOf(']', i + 2);
      let body = chars.slice(i + 1, end);
      const negated = body[0] === '!';
      if (negated) body = body.slice(1);
      const ranges: [string, string][] = [];
      for (let j = 0; j < body.length; j++) {
        if (body[j + 1] === '-' && j + 2 < body.length) {
          ranges.push([body[j], body[j + 2]]);
          j += 2;
        } else ranges.push([body[j], body[j]]);
      }
      tokens.push({ kind: 'class', negated, ranges });
      i = end;
    } else {
      tokens.push({ kind: 'char', char: ch });
    }
  }
  return tokens;
}
