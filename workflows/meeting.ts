/**
 * The life every meeting shares: its window opens and the agenda is assembled; staff set date, place
 * and participants; participants are reminded (default 3 days and 1 day before); staff record that it
 * was held — attendance, minutes, a decision for every agenda item; not held by its deadline, it
 * escalates to the community party organization, and on. Postponing needs a reason and a new date.
 * Each meeting type's workflow starts this life, runs it, and goes on from the record.
 */
import type { MeetingInput } from './meeting-contract';
import { registerMeetingHandlers } from './meeting-handlers';
import { Meeting, type MeetingLifeOptions } from './meeting-state';

export type { MeetingLifeOptions } from './meeting-state';

export function meetingLife(input: MeetingInput, opts: MeetingLifeOptions): Meeting {
  const meeting = new Meeting(input, opts);
  registerMeetingHandlers(meeting);
  return meeting;
}
