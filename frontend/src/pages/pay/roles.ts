/** Who may change a settlement (the API's rule: docs/SETTLEMENTS.md). */
export const DECIDERS = ['admin', 'manager'];
/** Who may follow a line to its sources. */
export const SOURCE_READERS = ['admin', 'manager', 'auditor'];
