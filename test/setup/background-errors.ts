// Fails a test whose background callbacks reported errors (see helpers/background-errors).

import { takeBackgroundErrors } from '../helpers/background-errors';

afterEach(() => {
  const errors = takeBackgroundErrors();
  if (errors.length > 0) throw new Error(`errors in background callbacks during this test:\n${errors.join('\n')}`);
});
