import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FormDialog, FormDialogProps } from './FormDialog';

const renderDialog = (props: Partial<FormDialogProps> = {}) => {
  const onClose = jest.fn();
  const onSubmit = jest.fn();
  render(
    <FormDialog
      open
      title="New thing"
      testId="thing"
      submitLabel="Create"
      form={{ submitting: false }}
      onClose={onClose}
      onSubmit={onSubmit}
      {...props}
    >
      <input aria-label="Name" />
    </FormDialog>,
  );
  return { onClose, onSubmit };
};

describe('FormDialog', () => {
  it('shows the fields and sends or cancels', async () => {
    const { onClose, onSubmit } = renderDialog({
      actions: <button type="button">Back</button>,
    });
    expect(screen.getByTestId('thing')).toHaveTextContent('New thing');
    expect(screen.getByLabelText('Name')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Back' })).toBeInTheDocument();
    await userEvent.click(screen.getByTestId('thing-submit'));
    expect(onSubmit).toHaveBeenCalledTimes(1);
    await userEvent.click(screen.getByTestId('thing-cancel'));
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('is busy while submitting and shows the answer', () => {
    renderDialog({
      form: {
        submitting: true,
        alert: { severity: 'error', text: 'spec.name: must be a DNS label' },
      },
    });
    expect(screen.getByTestId('thing-submit')).toBeDisabled();
    expect(screen.getByTestId('thing-submit')).toHaveAttribute(
      'aria-busy',
      'true',
    );
    expect(screen.getByTestId('thing-progress')).toBeInTheDocument();
    expect(screen.getByTestId('thing-error')).toHaveTextContent(
      'spec.name: must be a DNS label',
    );
  });

  it('says why it cannot be sent', () => {
    renderDialog({ blocked: 'No credential yet' });
    expect(screen.getByTestId('thing-blocked')).toHaveTextContent(
      'No credential yet',
    );
    expect(screen.getByTestId('thing-submit')).toBeDisabled();
  });

  it('disables submit without a message and takes another submit test id', () => {
    renderDialog({ submitDisabled: true, submitTestId: 'confirm' });
    expect(screen.queryByTestId('thing-blocked')).toBeNull();
    expect(screen.getByTestId('confirm')).toBeDisabled();
  });
});
