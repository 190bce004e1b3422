import { Schema, model, type InferSchemaType } from 'mongoose';

const deliverySchema = new Schema(
  { channel: { type: String, required: true }, at: { type: Date, required: true } },
  { _id: false },
);

/**
 * One notification: the in-app inbox copy, and the record of which outside channels it went out on,
 * so a retried send never delivers twice.
 */
const notificationSchema = new Schema(
  {
    /** The key (older notifications: an ObjectId, with the key beside it). */
    _id: { type: Schema.Types.Mixed, required: true },
    key: { type: String, required: true, unique: true },
    compoundId: { type: String, required: true },
    to: { role: String, userId: String },
    title: { type: String, required: true },
    body: { type: String, required: true },
    voiceId: String,
    /** Older notifications' record of outside channels; newer ones keep `delivered`. */
    deliveries: { type: [deliverySchema], default: undefined },
    /** Channel name → when it was delivered. */
    delivered: { type: Schema.Types.Mixed, default: undefined },
    readBy: { type: [String], default: [] },
  },
  { timestamps: true },
);
notificationSchema.index({ compoundId: 1, 'to.role': 1, createdAt: -1 });
notificationSchema.index({ compoundId: 1, 'to.userId': 1, createdAt: -1 });
export type NotificationDoc = InferSchemaType<typeof notificationSchema>;
export const Notification = model('Notification', notificationSchema, 'notifications');
