export { checkPassword, type PasswordPolicy } from '@zhengwu/contracts';
