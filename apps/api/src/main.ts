import 'reflect-metadata';
import { main } from './platform/boot';

main().catch((error: unknown) => {
  process.stderr.write(`启动失败 (start failed): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
