export * from './roles';
export * from './org';
export * from './auth';
export * from './password';
