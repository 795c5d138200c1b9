// The media repository's page. Its REST API (list, stream, delete) is the platform's
// (server/http/recordings.ts): the recording demo and recorded calls write there too.

import type { Demo } from '../../../server/demo';

export const recordingsDemo: Demo = {
  name: 'recordings',
  page: '/recordings.html',
  title: 'Recordings',
  summary: 'The media repository: thumbnails, durations, play in the page, download, delete.',
};
