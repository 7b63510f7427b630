export { TaskEventReads } from './TaskEventReads';
