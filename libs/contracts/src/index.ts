export * from './roles';
export * from './org';
export * from './auth';
export * from './password';
export * from './sso';
export * from './form';
export * from './document-body';
export * from './notifications';
