// How a verification verdict is stored in the index (see core/rules/verify-event.ts).
export const VERIFICATION_CODES = { agrees: 0, disagrees: 1, not_verifiable: 2, none: 3 } as const;
export type VerificationCode = (typeof VERIFICATION_CODES)[keyof typeof VERIFICATION_CODES];
