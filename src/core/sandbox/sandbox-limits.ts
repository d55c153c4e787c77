/**
 * Lambda's numbers that the sandbox enforces (reference/lambda-facts.md §1–§2). Kept in one place
 * so every check and every message quotes the same value.
 */

/** Largest synchronous invocation payload: 6 MiB. */
export const MAX_REQUEST_PAYLOAD_BYTES = 6_291_456;
/** Largest buffered response the Runtime API accepts: 6 MiB + 100 B (not the request limit). */
export const MAX_RESPONSE_PAYLOAD_BYTES = 6_291_556;
/** Largest streamed response: 200 MiB. */
export const MAX_STREAMED_RESPONSE_BYTES = 200 * 1024 * 1024;
/** Init phase cap of on-demand functions. */
export const INIT_TIMEOUT_MS = 10_000;
/** Memory size that buys one full vCPU. */
export const MB_PER_VCPU = 1769;
/** File descriptors and processes+threads per environment. */
export const MAX_FILE_DESCRIPTORS = 1024;
/** Processes and threads per environment. */
export const MAX_PROCESSES = 1024;
/** The account id in the ARNs the sandbox makes up (LocalStack uses the same). */
export const LOCAL_ACCOUNT_ID = '000000000000';
/** uid and gid the function runs as: Lambda's `sbx_user1051` is uid 993. */
export const SANDBOX_UID = 993;
/** Primary gid of the sandbox user. */
export const SANDBOX_GID = 990;
/** Name of the sandbox user in the generated /etc/passwd. */
export const SANDBOX_USER = 'sbx_user1051';
