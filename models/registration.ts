import { Schema, model } from 'mongoose';
import { RESIDENT_RELATIONS } from '../domain/people';

/** 注册申请: a resident who registered with a building's code, waiting for the building leader or staff. */
const registrationSchema = new Schema(
  {
    _id: { type: String, required: true },
    compoundId: { type: String, required: true, index: true },
    buildingId: { type: String, required: true },
    userId: { type: String, required: true, index: true },
    relation: { type: String, enum: RESIDENT_RELATIONS, required: true },
    roomNumber: String,
    status: { type: String, enum: ['pending', 'approved', 'rejected'], required: true },
    decidedBy: { userId: String, name: String },
    decidedAt: Date,
    reason: String,
  },
  { timestamps: true, versionKey: false },
);
export const Registration = model('Registration', registrationSchema, 'registrations');
