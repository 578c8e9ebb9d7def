// Types for scripts/size.mjs.
export interface SizeRow { name: string; file?: string; budget?: number; aim?: number; guard?: number; minified?: number; gzip?: number; missing?: boolean }
export declare const BUDGETS: SizeRow[];
export declare function measureSizes(): Promise<SizeRow[]>;
