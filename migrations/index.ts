import { Foundation1764028800000 } from './1764028800000-foundation';
import { Engine1764115200000 } from './1764115200000-engine';
import { HolidaysSeed1764115300000 } from './1764115300000-holidays-seed';
import { TaskOperations1764201600000 } from './1764201600000-task-operations';
import { DemoSeeds1764288000000 } from './1764288000000-demo-seeds';
import { Filings1764288100000 } from './1764288100000-filings';
import { DataRequests1764288200000 } from './1764288200000-data-requests';
import { Projects1764288300000 } from './1764288300000-projects';
import { Approvals1764288400000 } from './1764288400000-approvals';
import { Substitutes1764288500000 } from './1764288500000-substitutes';
import { Documents1764288600000 } from './1764288600000-documents';
import { Attachments1764288700000 } from './1764288700000-attachments';
import { DocumentPdf1764374300000 } from './1764374300000-document-pdf';
import { Notifications1764374400000 } from './1764374400000-notifications';
import { Archive1764374500000 } from './1764374500000-archive';
import { InboxIndexes1764460800000 } from './1764460800000-inbox-indexes';
import { Totp1765100000000 } from './1765100000000-totp';
import { SecurityRolesApart1765100000001 } from './1765100000001-security-roles-apart';
import { OidcLogins1765200000001 } from './1765200000001-oidc-logins';
import { AuditCheckpoints1765300000010 } from './1765300000010-audit-checkpoints';
import { VariableTypesSignals1765400000020 } from './1765400000020-variable-types-signals';
import { CaseReadModel1765400000200 } from './1765400000200-case-read-model';
import { AuditChainTail1765600000010 } from './1765600000010-audit-chain-tail';
import { Seals1765600000100 } from './1765600000100-seals';
import { DocumentRevisions1765600000200 } from './1765600000200-document-revisions';
import { DocumentDisclosure1765600000300 } from './1765600000300-document-disclosure';
import { ArchiveMetadata1765600000400 } from './1765600000400-archive-metadata';
import { ArchiveTransfer1765600000500 } from './1765600000500-archive-transfer';
import { Exchange1765600000600 } from './1765600000600-exchange';
import { DocumentJointAttendance1765600000700 } from './1765600000700-document-joint-attendance';
import { InAppNotifications1765600000800 } from './1765600000800-in-app-notifications';
import { ExchangeReceipts1765600001000 } from './1765600001000-exchange-receipts';
import { Search1765600001100 } from './1765600001100-search';
import { Supervision1765600001200 } from './1765600001200-supervision';
import { Personal1765600001300 } from './1765600001300-personal';
import { Directory1765600001400 } from './1765600001400-directory';
import { Announcements1765600001600 } from './1765600001600-announcements';
import { ShareCatalogue1765600001700 } from './1765600001700-share-catalogue';
import { NoticeLinks1765600001750 } from './1765600001750-notice-links';
import { DataCollection1765600001800 } from './1765600001800-data-collection';
import { WorkPlans1765600001900 } from './1765600001900-work-plans';
import { DataRelease1765600002000 } from './1765600002000-data-release';
import { DocumentItReview1765600002100 } from './1765600002100-document-it-review';
import { ArchivingCaseIndex1765600002300 } from './1765600002300-archiving-case-index';
import { HotPath1765600002400 } from './1765600002400-hot-path';
import { SearchDocumentScope1765600002500 } from './1765600002500-search-document-scope';
import { PrincipalNotices1765600002600 } from './1765600002600-principal-notices';

/** Every migration, in order. New ones are appended; merged ones are never edited. */
export const migrations = [
  Foundation1764028800000,
  Engine1764115200000,
  HolidaysSeed1764115300000,
  TaskOperations1764201600000,
  DemoSeeds1764288000000,
  Filings1764288100000,
  DataRequests1764288200000,
  Projects1764288300000,
  Approvals1764288400000,
  Substitutes1764288500000,
  Documents1764288600000,
  Attachments1764288700000,
  DocumentPdf1764374300000,
  Notifications1764374400000,
  Archive1764374500000,
  InboxIndexes1764460800000,
  Totp1765100000000,
  SecurityRolesApart1765100000001,
  OidcLogins1765200000001,
  AuditCheckpoints1765300000010,
  VariableTypesSignals1765400000020,
  CaseReadModel1765400000200,
  AuditChainTail1765600000010,
  Seals1765600000100,
  DocumentRevisions1765600000200,
  DocumentDisclosure1765600000300,
  ArchiveMetadata1765600000400,
  ArchiveTransfer1765600000500,
  Exchange1765600000600,
  DocumentJointAttendance1765600000700,
  InAppNotifications1765600000800,
  ExchangeReceipts1765600001000,
  Search1765600001100,
  Supervision1765600001200,
  Personal1765600001300,
  Directory1765600001400,
  Announcements1765600001600,
  ShareCatalogue1765600001700,
  NoticeLinks1765600001750,
  DataCollection1765600001800,
  WorkPlans1765600001900,
  DataRelease1765600002000,
  DocumentItReview1765600002100,
  ArchivingCaseIndex1765600002300,
  HotPath1765600002400,
  SearchDocumentScope1765600002500,
  PrincipalNotices1765600002600,
];
