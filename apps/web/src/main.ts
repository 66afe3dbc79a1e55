import { bootstrapApplication } from '@angular/platform-browser';
import { appConfig } from './app/app.config';
import { App } from './app/app';
import { labelFrameworkControls } from './app/core/control-labels';

bootstrapApplication(App, appConfig).catch((err) => console.error(err));
labelFrameworkControls();
