import { SERVICES } from '@casegrid/contracts';
import { dlqClient, type DlqClient } from '@casegrid/runtime';

const HELP = `npm run dlq -- <list | show <case id> | replay <case id> [--skip <event id>]> [--service <name>]

What the consumer groups parked (a case event that failed, and the case's later events held
behind it), and replaying a case once the cause is fixed (docs/operations.md, Parked events).

  list               every case with parked events, per service and consumer group
  show <case id>     that case's parked events in order, the failed one first, with the error
  replay <case id>   applies them in order in every group that holds some; the case flows again
  --skip <event id>  drops that failed event (it can never be applied: a malformed message)
                     and applies the events held behind it; its dead letter stays in the DLQ
  --service <name>   only that service (${SERVICES.join(', ')}); default all

  CASEGRID_URL             the embedded default or the gateway (default http://localhost:3000)
  CASEGRID_TOKEN           an admin's bearer token, or else
  CASEGRID_ADMIN_PASSWORD  the password of the embedded issuer's admin (default: the demo one)
`;

const print = (value: unknown): void =>
  void process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

const run = async (client: DlqClient, args: readonly string[]): Promise<void> => {
  const option = (name: string): string | undefined => {
    const at = args.indexOf(name);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const only = option('--service');
  const skip = option('--skip');
  const positional = args.filter(
    (arg, i) => !arg.startsWith('--') && !args[i - 1]?.startsWith('--'),
  );
  const [command, caseId] = positional;
  const services = only ? [only] : SERVICES;
  switch (command) {
    case 'list':
      return print(await client.list(services));
    case 'show':
      if (!caseId) break;
      return print(await client.show(services, caseId));
    case 'replay':
      if (!caseId) break;
      return print(await client.replay(services, caseId, skip));
  }
  throw new Error(`usage:\n${HELP}`);
};

const main = async (): Promise<void> => {
  const args = process.argv.slice(2);
  if (args.length === 0 || args.includes('--help')) return void process.stdout.write(HELP);
  await run(await dlqClient(process.env), args);
};

main().catch((error: unknown) => {
  process.stderr.write(`dlq: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
