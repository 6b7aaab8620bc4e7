/**
 * The sandbox profiles a command line may name: sandbox/recipe.ts PROFILES, repeated here so that parsing the
 * command line loads no sandbox code (a test checks that the two lists agree).
 */
export const PROFILE_CHOICES = ['base', 'ml', 'hub'] as const;
export type Profile = (typeof PROFILE_CHOICES)[number];
