/* A header with one struct the ABI table lacks: check_abi_table.py must report it
 * (the ctest abi_table_check_catches_missing). */
typedef struct vane_abi_canary { int32_t a; const float *b, *c; } vane_abi_canary;
