/**
 * @module useDataChannels
 * React glue for {@link ControlChannels}: follows the `input`, `input-fast` and `control` channels of
 * the current peer connection (a new connection brings new channels) and re-renders on
 * every change of the snapshot. The sharer's pointer is not part of the snapshot (it
 * moves 30 times a second); `RemoteCursor` subscribes to it on its own.
 */
import { useEffect, useState } from 'react';
import { INPUT_FAST_CHANNEL } from '@remote-help/protocol';
import { ControlChannels, INITIAL_SNAPSHOT } from './ControlChannels';
import type { ControlSnapshot } from './ControlChannels';

/** Labels of the agent's data channels. */
export const INPUT_LABEL = 'input';
export const CONTROL_LABEL = 'control';

/** The channels (null until the agent's channels arrive) and their latest snapshot. */
export interface DataChannelsState {
  link: ControlChannels | null;
  snapshot: ControlSnapshot;
}

/** See the module description. */
export function useDataChannels(channels: ReadonlyMap<string, RTCDataChannel>): DataChannelsState {
  const input = channels.get(INPUT_LABEL);
  const control = channels.get(CONTROL_LABEL);
  const fast = channels.get(INPUT_FAST_CHANNEL);
  const [state, setState] = useState<DataChannelsState>({ link: null, snapshot: INITIAL_SNAPSHOT });

  useEffect(() => {
    if (!input && !control) {
      setState({ link: null, snapshot: INITIAL_SNAPSHOT });
      return;
    }
    const link = new ControlChannels(input, control, fast);
    setState({ link, snapshot: link.snapshot });
    const off = link.on('change', (snapshot) => setState({ link, snapshot }));
    return () => {
      off();
      link.close();
    };
  }, [input, control, fast]);

  return state;
}
