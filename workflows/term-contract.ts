/**
 * A term of office (任期) as the outside world speaks to it: its workflow id, its input, and the messages
 * the API sends (end it early: dismissed or resigned; renewed by a following term). Deterministic.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { FormationEvent, MembershipBody, Position } from '../domain/memberships';
import type { Actor } from './contract';

export const termWorkflowId = (membershipId: string): string => `term/${membershipId}`;

export interface TermInput {
  membershipId: string;
  compoundId: string;
  userId: string;
  name: string;
  body: MembershipBody;
  position: Position;
  termStart: string; // ISO
  termEnd?: string; // ISO; none: an open appointment (the office's staff)
  /** How it began, as the ledger files it. */
  event: Extract<FormationEvent, 'elected' | 'hired' | 'appointed' | 'renewed'>;
  actor?: Actor;
  /** What the ledger entry of its beginning carries (basis, term): no phone, no ID number. */
  content: unknown;
}

export interface EndTermInput {
  reason: 'dismissed' | 'resigned';
  note?: string;
  /** The council resolution a dismissal carries out (its order id). */
  resolutionOrderId?: string;
  actor: Actor;
}

export interface TermState {
  status: 'upcoming' | 'current' | 'ended';
  reminded: boolean;
  renewedBy?: string;
  ending?: EndTermInput;
  endedAt?: string;
  endReason?: 'termEnded' | 'renewed' | 'dismissed' | 'resigned';
}

export const termStatusQuery = defineQuery<TermState>('termStatus');
export const endTermUpdate = defineUpdate<TermState, [EndTermInput]>('endTerm');
/** A following term was registered: at its end this one is 'renewed', not just lapsed. */
export const markRenewedUpdate = defineUpdate<TermState, [{ membershipId: string }]>('markRenewed');
