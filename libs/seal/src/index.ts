export * from './sm2';
export * from './cert';
export * from './ses';
export * from './seal-image';
export * from './ofd-seal';
export * from './pdf-stamp';
