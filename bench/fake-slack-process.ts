/**
 * The fake Slack Web API (test/slack/fake-slack.ts) in a process of its own,
 * so that answering the server's calls after each acknowledgement does not
 * keep the benchmark's event loop busy while it times acknowledgements.
 * Prints its API URL and the number of calls it got when it stops (SIGTERM).
 */
import { FakeSlack } from '../test/slack/fake-slack.js';

const fake = await FakeSlack.start();
process.stdout.write(`fake slack api ${fake.apiUrl}\n`);
process.on('SIGTERM', () => {
  process.stdout.write(`fake slack calls ${fake.calls.length}\n`);
  fake.close().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`fake slack: closing failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
});
