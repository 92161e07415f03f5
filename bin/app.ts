#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { addSetupModeService } from '../lib/service-app';

addSetupModeService(new App());
