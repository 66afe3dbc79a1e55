import { Routes } from '@angular/router';
import { SealsPage } from './seals-page';

export const routes: Routes = [{ path: '', component: SealsPage, title: '电子印章管理' }];
