// `cdk synth` entry point (cdk.json): the app from CDK context.
import { buildApp } from './app.ts';

buildApp().app.synth();
