import { Routes } from '@angular/router';
import { ArchiveList } from './archive-list';
import { ArchivePackageView } from './archive-package';
import { ArchiveTransfers } from './archive-transfers';

export const routes: Routes = [
  { path: '', component: ArchiveList, title: '电子档案' },
  { path: 'transfers', component: ArchiveTransfers, title: '移交与接收 - 电子档案' },
  { path: ':id', component: ArchivePackageView, title: '档案详情 - 电子档案' },
];
