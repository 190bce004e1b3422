import { Schema, model, type InferSchemaType } from 'mongoose';
import { COUNCIL_SEATS, END_REASONS, MEMBERSHIP_BODIES, POSITIONS } from '../domain/memberships';

/**
 * A membership of a body with its term (任期): who, which body and position, from when to when, how it
 * began and why it ended. Written by its term's workflow (one writer): created, taken up, lapsed, ended.
 */
const bodyMembershipSchema = new Schema(
  {
    _id: { type: String, required: true },
    compoundId: { type: String, required: true },
    userId: { type: String, required: true },
    name: { type: String, required: true },
    body: { type: String, enum: MEMBERSHIP_BODIES, required: true },
    position: { type: String, enum: POSITIONS, required: true },
    category: { type: String, enum: COUNCIL_SEATS },
    buildingId: String,
    termStart: { type: Date, required: true },
    termEnd: Date,
    basis: { type: Schema.Types.Mixed, required: true },
    /** A renewal's predecessor, so one person's terms in a body read as a chain. */
    renews: String,
    renewedBy: String,
    exceptionReason: String,
    status: { type: String, enum: ['upcoming', 'current', 'ended'], required: true },
    endedAt: Date,
    endReason: { type: String, enum: END_REASONS },
    endNote: String,
    /** The council resolution (its order) a dismissal carried out. */
    endResolutionOrderId: String,
    createdBy: { userId: String, name: String },
  },
  { timestamps: true, versionKey: false },
);
bodyMembershipSchema.index({ compoundId: 1, body: 1, status: 1 });
bodyMembershipSchema.index({ userId: 1, status: 1 });
export type BodyMembershipDoc = InferSchemaType<typeof bodyMembershipSchema> & { _id: string };
export const BodyMembership = model('BodyMembership', bodyMembershipSchema, 'body_memberships');
