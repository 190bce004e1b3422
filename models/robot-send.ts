import { Schema, model } from 'mongoose';

/**
 * What a robot sent and held back, minute by minute. Every guard here is a unique `_id` created once
 * (insert, never compare-and-set): FerretDB v1 applies no update of one document atomically.
 *
 * A slot (`<robot>|<minute>|<n>`, n = 1…the vendor's limit) is one message the robot may send that minute;
 * holding it is holding the right to send. `key` is who holds it (a notification, or a digest).
 */
const robotSlotSchema = new Schema(
  {
    _id: { type: String, required: true },
    robot: { type: String, required: true },
    minute: { type: String, required: true },
    key: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
robotSlotSchema.index({ robot: 1, minute: 1 });
robotSlotSchema.index({ at: 1 });
export const RobotSlot = model('RobotSlot', robotSlotSchema, 'robot_slots');

/** A notification held back from a robot in a full minute (`<robot>|<minute>|<key>`): in its digest once. */
const robotDigestItemSchema = new Schema(
  {
    _id: { type: String, required: true },
    robot: { type: String, required: true },
    minute: { type: String, required: true },
    key: { type: String, required: true },
    title: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
robotDigestItemSchema.index({ robot: 1, minute: 1 });
export const RobotDigestItem = model('RobotDigestItem', robotDigestItemSchema, 'robot_digest_items');

/** A digest to send (`<robot>|<minute>`): due when its minute has passed; removed once sent. */
const robotDigestSchema = new Schema(
  {
    _id: { type: String, required: true },
    robot: { type: String, required: true },
    minute: { type: String, required: true },
    compoundId: { type: String, required: true },
    body: { type: String, required: true },
    vendor: { type: String, required: true },
    dueAt: { type: Date, required: true },
  },
  { versionKey: false },
);
robotDigestSchema.index({ dueAt: 1 });
robotDigestSchema.index({ robot: 1 });
export const RobotDigest = model('RobotDigest', robotDigestSchema, 'robot_digests');

/**
 * Who sends a digest (`_id` the digest's): the one flush that created it; `sentAt` once it went out.
 * A claim left without `sentAt` (its flusher died) is taken over after a while by removing it by token.
 */
const robotDigestClaimSchema = new Schema(
  {
    _id: { type: String, required: true },
    token: { type: String, required: true },
    at: { type: Date, required: true },
    sentAt: Date,
  },
  { versionKey: false },
);
robotDigestClaimSchema.index({ at: 1 });
export const RobotDigestClaim = model('RobotDigestClaim', robotDigestClaimSchema, 'robot_digest_claims');
