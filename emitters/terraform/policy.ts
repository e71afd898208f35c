/** IAM policy documents: one model for service stacks and the platform root (emitters/shared/iam-policy.ts). */
export * from '../shared/iam-policy.js';
