export * from './types';
export { renderOfficialDocument, layoutOfficialDocument, GBT9704 } from './official-document';
export { drawLayout } from './draw';
export { faceFont, faceFonts, prepareFonts, fontDir, LICENSED_FACES, type Face, type FaceFont } from './fonts';
export { renderProcessingSheet } from './processing-sheet';
export { renderHandlingSheet, type HandlingField, type HandlingSection, type HandlingSheet } from './handling-sheet';
export { renderFilingReceipt, renderProjectApprovalNotice, renderDataHandoverSheet } from './forms';
export * from './layout';
export { renderCheckReport, type CheckReportSheet, type CheckReportItem } from './check-report';
