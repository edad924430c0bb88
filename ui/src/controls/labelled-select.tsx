// A labelled select of names with a first choice for none of them ('' as its value): the pod picker's,
// the history filters' and the palette's.
export interface LabelledSelectProps {
  id: string;
  label: string;
  value: string;
  /** The wording of the '' choice: "Choose a pod", "Anyone". */
  none: string;
  names: readonly string[];
  /** How a name reads in the list; the name itself by default. */
  nameLabel?: (name: string) => string;
  disabled?: boolean;
  /** The wrapper's class. */
  class?: string;
  onValue: (value: string) => void;
}

export function LabelledSelect(props: LabelledSelectProps) {
  const { id, value, names, nameLabel } = props;
  return (
    <div class={props.class ?? 'field'}>
      <label for={id}>{props.label}</label>
      <select
        id={id}
        value={value}
        disabled={props.disabled}
        onChange={(event) => props.onValue(event.currentTarget.value)}
      >
        <option value="">{props.none}</option>
        {names.map((name) => (
          <option key={name} value={name}>
            {nameLabel ? nameLabel(name) : name}
          </option>
        ))}
      </select>
    </div>
  );
}
