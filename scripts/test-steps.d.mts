/** [name, command, arguments] of a step of `npm test`. */
export type TestStep = [name: string, command: string, args: string[]];

/** The stages of `npm test`, in order; each a list of lanes run at the same time, each lane its steps in order. */
export function testStages(options: { withPostgres: boolean }): TestStep[][][];

/** Every step of `npm test`, stage by stage and lane by lane. */
export function testSteps(options: { withPostgres: boolean }): TestStep[];
