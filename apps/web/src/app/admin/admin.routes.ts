import { Routes } from '@angular/router';
import { AdminPage } from './admin-page';

export const routes: Routes = [{ path: '', component: AdminPage, title: '系统管理' }];
