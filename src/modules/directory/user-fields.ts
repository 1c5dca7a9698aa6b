/** The directory's standard fields: API name, column in `users` and `staged_rows`, header aliases. */
export interface StandardField {
  name: StandardFieldName;
  column: string;
  /** Normalised header spellings that map to this field when a config has no mapping. */
  aliases: string[];
}

export const STANDARD_FIELD_NAMES = [
  'externalId',
  'email',
  'firstName',
  'lastName',
  'displayName',
  'title',
  'department',
  'location',
  'phone',
  'status',
] as const;
export type StandardFieldName = (typeof STANDARD_FIELD_NAMES)[number];

export const STANDARD_FIELDS: readonly StandardField[] = [
  {
    name: 'externalId',
    column: 'external_id',
    aliases: ['externalid', 'employeeid', 'employeenumber', 'employeeno', 'empid', 'userlookupid', 'personid', 'personnelnumber', 'staffid', 'workerid', 'userid', 'id'],
  },
  { name: 'email', column: 'email', aliases: ['email', 'emailaddress', 'mail', 'workemail', 'businessemail', 'useremail'] },
  { name: 'firstName', column: 'first_name', aliases: ['firstname', 'givenname', 'forename', 'first'] },
  { name: 'lastName', column: 'last_name', aliases: ['lastname', 'surname', 'familyname', 'last'] },
  { name: 'displayName', column: 'display_name', aliases: ['displayname', 'fullname', 'name', 'preferredname'] },
  { name: 'title', column: 'title', aliases: ['title', 'jobtitle', 'position', 'jobposition'] },
  { name: 'department', column: 'department', aliases: ['department', 'dept', 'departmentname'] },
  { name: 'location', column: 'location', aliases: ['location', 'office', 'site', 'worklocation', 'store', 'branch'] },
  { name: 'phone', column: 'phone', aliases: ['phone', 'mobile', 'phonenumber', 'mobilephone', 'mobilenumber', 'cellphone', 'telephone'] },
  { name: 'status', column: 'status', aliases: ['status', 'userstatus', 'accountstatus'] },
];

const BY_NAME = new Map(STANDARD_FIELDS.map((field) => [field.name as string, field]));

export function standardField(name: string): StandardField | undefined {
  return BY_NAME.get(name);
}

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
