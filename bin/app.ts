#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { addSetupModeService } from '../lib/service-app';
import { SettingsError } from '../lib/service-settings';

try {
  addSetupModeService(new App());
} catch (error) {
  // A refused setting is the operator's to fix: one line naming the option, not a stack trace.
  if (!(error instanceof SettingsError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
