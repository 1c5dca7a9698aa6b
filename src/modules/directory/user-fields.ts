/**
 * The directory's standard fields: API name, the staged_rows column the file's value goes to,
 * the users column it writes (null when it is not a plain column), and header aliases.
 */
export interface StandardField {
  name: StandardFieldName;
  /** Column of staged_rows; null for an input that only shapes another field (phoneCountryCode). */
  staged: string | null;
  /** Column of users written as is; null for fields with their own rules (manager, group, delete). */
  column: string | null;
  /** Normalised header spellings that map to this field when a config has no mapping. */
  aliases: string[];
  /** The example value in the template file. */
  example: string;
}

export const STANDARD_FIELD_NAMES = [
  'externalId', 'email', 'userName', 'firstName', 'lastName', 'displayName', 'title', 'department', 'location',
  'language', 'phoneCountryCode', 'phone', 'managerExternalId', 'group', 'status', 'archived', 'track', 'delete',
] as const;
export type StandardFieldName = (typeof STANDARD_FIELD_NAMES)[number];

const text = (name: StandardFieldName, column: string, aliases: string[], example: string): StandardField => ({ name, staged: column, column, aliases, example });

export const STANDARD_FIELDS: readonly StandardField[] = [
  text('externalId', 'external_id', ['externalid', 'employeeid', 'employeenumber', 'employeeno', 'empid', 'userlookupid', 'personid', 'personnelnumber', 'staffid', 'workerid', 'userid', 'id'], 'E0001234'),
  text('email', 'email', ['email', 'emailaddress', 'mail', 'workemail', 'businessemail', 'useremail'], 'ada.lovelace@example.com'),
  text('userName', 'user_name', ['username', 'login', 'loginname', 'account', 'accountname'], 'alovelace'),
  text('firstName', 'first_name', ['firstname', 'givenname', 'forename', 'first'], 'Ada'),
  text('lastName', 'last_name', ['lastname', 'surname', 'familyname', 'last'], 'Lovelace'),
  text('displayName', 'display_name', ['displayname', 'fullname', 'name', 'preferredname'], 'Ada Lovelace'),
  text('title', 'title', ['title', 'jobtitle', 'position', 'jobposition'], 'Analyst'),
  text('department', 'department', ['department', 'dept', 'departmentname'], 'Engineering'),
  text('location', 'location', ['location', 'office', 'site', 'worklocation', 'store', 'branch'], 'London'),
  text('language', 'language', ['language', 'locale', 'lang', 'preferredlanguage'], 'en'),
  { name: 'phoneCountryCode', staged: null, column: null, aliases: ['phonecountrycode', 'countrycallingcode', 'callingcode', 'dialcode'], example: '44' },
  text('phone', 'phone', ['phone', 'mobile', 'phonenumber', 'mobilephone', 'mobilenumber', 'cellphone', 'telephone'], '7700 900123'),
  { name: 'managerExternalId', staged: 'manager_key', column: null, aliases: ['managerexternalid', 'managerid', 'manageremployeeid', 'supervisorid', 'reportsto'], example: 'E0000001' },
  { name: 'group', staged: 'group_name', column: null, aliases: ['group', 'groupname', 'team'], example: 'Research' },
  text('status', 'status', ['status', 'userstatus', 'accountstatus'], 'active'),
  { name: 'archived', staged: 'status', column: 'status', aliases: ['archive', 'archived'], example: 'n' },
  { name: 'track', staged: 'tracked', column: 'tracked', aliases: ['track', 'tracked'], example: 'y' },
  { name: 'delete', staged: 'remove', column: null, aliases: ['delete', 'deleteuser', 'remove'], example: 'n' },
];

const BY_NAME = new Map(STANDARD_FIELDS.map((field) => [field.name as string, field]));

export function standardField(name: string): StandardField | undefined {
  return BY_NAME.get(name);
}

/** Fields that fill the same staged column: a mapping may use only one of them. */
export const SAME_SLOT: readonly (readonly StandardFieldName[])[] = [['status', 'archived']];

/** `custom.<key>`: a value kept in the person's custom field bag. */
export const CUSTOM_PREFIX = 'custom.';
export const CUSTOM_KEY = /^[a-zA-Z][a-zA-Z0-9_]{0,62}$/;

export function isMappableField(target: string): boolean {
  if (BY_NAME.has(target)) return true;
  return target.startsWith(CUSTOM_PREFIX) && CUSTOM_KEY.test(target.slice(CUSTOM_PREFIX.length));
}

/** "Employee ID", "employee_id" and "EmployeeId" all become "employeeid". */
export function normaliseHeader(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The standard field a header names by one of its common spellings, if any. */
export function fieldForHeader(header: string): StandardFieldName | undefined {
  const normal = normaliseHeader(header);
  return STANDARD_FIELDS.find((field) => field.aliases.includes(normal))?.name;
}
