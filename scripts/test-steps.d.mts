/** [name, command, arguments] of each step of `npm test`, in order. */
export function testSteps(options: { withPostgres: boolean }): Array<[name: string, command: string, args: string[]]>;
