import { useEffect, useState } from 'react';
import { FormTextField } from './FormTextField';

/** The owner a form starts with: the user's first group, once known. */
export function useDefaultOwner(groups: string[]) {
  const [owner, setOwner] = useState('');
  useEffect(() => {
    if (!owner && groups.length) {
      setOwner(groups[0]);
    }
  }, [owner, groups]);
  return [owner, setOwner] as const;
}

/** The owner group of what a form creates, among the user's groups. */
export function OwnerSelect(props: {
  value: string;
  groups: string[];
  testId: string;
  error?: string;
  margin?: 'dense';
  onChange: (owner: string) => void;
}) {
  return (
    <FormTextField
      select
      label="Owner"
      fullWidth
      required
      margin={props.margin}
      value={props.value}
      onValue={props.onChange}
      SelectProps={{ native: true }}
      testId={props.testId}
      error={props.error}
    >
      {!props.groups.length && <option value="">No groups</option>}
      {props.groups.map(group => (
        <option key={group} value={group}>
          {group}
        </option>
      ))}
    </FormTextField>
  );
}
