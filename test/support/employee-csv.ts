/** A deterministic HR export of `count` people; `variant` changes every title, so files differ. */
export function employeesCsv(count: number, variant = 'a', firstId = 1): string {
  const lines = ['employee_id,first_name,last_name,email,title,department'];
  for (let i = firstId; i < firstId + count; i++) {
    lines.push(`E${i},First${i},"Last, ${i}",person${i}@example.com,Title ${variant},Dept ${i % 17}`);
  }
  return `${lines.join('\n')}\n`;
}
