// Mocha's spec reporter, plus one plain closing line ("N passed, N failed, N skipped") that CI
// reads whatever the runner.
const { Spec } = require('mocha/lib/reporters/spec');

class SpecWithSummary extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once('end', () => {
      const { passes, failures, pending } = this.stats;
      process.stdout.write(`\n${passes} passed, ${failures} failed, ${pending} skipped\n`);
    });
  }
}

module.exports = SpecWithSummary;
