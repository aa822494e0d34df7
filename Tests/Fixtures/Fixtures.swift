// Fixtures: builds real RPMs, repos and rpmdbs for tests.
