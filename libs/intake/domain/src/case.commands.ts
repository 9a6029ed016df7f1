import type { Command } from '@casegrid/kernel';
import type { PersonalField } from '@casegrid/identity';
import type { CaseRegistered } from './case.events';

/** The adapter has allocated the number and sealed the parties; the domain checks the rest. */
export type RegisterCase = Command<'RegisterCase', CaseRegistered['data']>;

export type DispatchCase = Command<
  'DispatchCase',
  {
    readonly leadDepartmentId: string;
    readonly coDepartmentIds: readonly string[];
    readonly note: string | null;
  }
>;

export type RecordPersonalDataReveal = Command<
  'RecordPersonalDataReveal',
  {
    readonly partyIds: readonly string[];
    readonly fields: readonly PersonalField[];
    readonly reason: string;
  }
>;

export type RecordPersonalDataErasure = Command<
  'RecordPersonalDataErasure',
  { readonly personId: string; readonly reason: string }
>;

export type IntakeCommand =
  RegisterCase | DispatchCase | RecordPersonalDataReveal | RecordPersonalDataErasure;
