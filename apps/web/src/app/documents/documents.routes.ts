import { Routes } from '@angular/router';
import { withRoles } from '../core/auth';

export const routes: Routes = [
  {
    path: '',
    title: '公文交换',
    loadComponent: () => import('./documents-page').then((m) => m.DocumentsPage),
  },
  {
    path: 'new',
    title: '起草公文',
    canActivate: [withRoles('drafter')],
    loadComponent: () => import('./document-form-page').then((m) => m.DocumentFormPage),
  },
  {
    path: 'received/:receiptId',
    title: '收文',
    loadComponent: () => import('./received-document-page').then((m) => m.ReceivedDocumentPage),
  },
  {
    path: ':id/edit',
    title: '修改公文',
    canActivate: [withRoles('drafter')],
    loadComponent: () => import('./document-form-page').then((m) => m.DocumentFormPage),
  },
  {
    path: ':id',
    title: '公文',
    loadComponent: () => import('./document-detail-page').then((m) => m.DocumentDetailPage),
  },
];
