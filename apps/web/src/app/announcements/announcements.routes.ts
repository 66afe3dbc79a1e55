import { Routes } from '@angular/router';
import { AnnouncementsPage } from './announcements-page';

export const routes: Routes = [
  { path: '', component: AnnouncementsPage, title: '公告' },
  { path: ':id', component: AnnouncementsPage, title: '公告' },
];
