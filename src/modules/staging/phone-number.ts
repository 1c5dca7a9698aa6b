import { Metadata, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';

/** Digits after a +, as E.164 writes a number: checked by length alone, without a full parse. */
const E164 = /^\+([1-9]\d{6,14})$/;
const CALLING_CODE = /^\+?(\d{1,3})$/;
const COUNTRY = /^[A-Za-z]{2}$/;

/** What the runtime Metadata offers beyond its typings: numbering plans by calling code. */
interface CallingCodeMetadata {
  hasCallingCode(callingCode: string): boolean | undefined;
  selectNumberingPlan(callingCode: string): void;
  numberingPlan?: { possibleLengths(): number[] };
}

const metadata = new Metadata() as unknown as CallingCodeMetadata;
const lengthsByCallingCode = new Map<string, readonly number[] | null>();

/**
 * A phone number in E.164 (+4915112345678), from a number with or without its country: `country`
 * is a calling code ("49", "+49") or a country ("DE"). Null when the number is impossible.
 * Numbers already written in E.164 are checked against their country's possible lengths directly
 * (a full parse costs about 10 µs, a second per 100k lines).
 */
export function toE164(number: string, country: string | null): string | null {
  const compact = number.replace(/[\s().-]/g, '');
  const canonical = E164.exec(compact);
  if (canonical) {
    const possible = possibleByLength(canonical[1]);
    if (possible !== undefined) return possible ? compact : null;
  }
  const parsed = country ? parseWithCountry(number, country) : parsePhoneNumberFromString(number);
  return parsed?.isPossible() ? parsed.number : null;
}

/** Whether country code + national number has a possible length; undefined when unsure. */
function possibleByLength(digits: string): boolean | undefined {
  for (let size = 1; size <= 3; size++) {
    const code = digits.slice(0, size);
    const lengths = possibleLengths(code);
    if (lengths) return lengths.includes(digits.length - size);
  }
  return undefined;
}

function possibleLengths(callingCode: string): readonly number[] | null {
  let lengths = lengthsByCallingCode.get(callingCode);
  if (lengths === undefined) {
    lengths = null;
    if (metadata.hasCallingCode(callingCode)) {
      metadata.selectNumberingPlan(callingCode);
      lengths = metadata.numberingPlan?.possibleLengths() ?? null;
    }
    lengthsByCallingCode.set(callingCode, lengths);
  }
  return lengths;
}

function parseWithCountry(number: string, country: string): ReturnType<typeof parsePhoneNumberFromString> {
  const trimmed = country.trim();
  if (COUNTRY.test(trimmed)) return parsePhoneNumberFromString(number, trimmed.toUpperCase() as CountryCode);
  const calling = CALLING_CODE.exec(trimmed);
  if (calling) return parsePhoneNumberFromString(number, { defaultCallingCode: calling[1] });
  return undefined;
}
