import { Schema, model } from 'mongoose';

/**
 * Which voices each agenda item of a meeting groups. Kept here, not in the meeting's workflow, so a
 * month of many voices cannot swell the workflow's history; the meeting marks them taken up from here.
 */
const agendaSchema = new Schema(
  {
    _id: { type: String, required: true }, // the meeting id
    compoundId: { type: String, required: true },
    items: [{ _id: false, id: { type: String, required: true }, voiceIds: { type: [String], default: [] } }],
  },
  { timestamps: true },
);
export const Agenda = model('Agenda', agendaSchema, 'agendas');
