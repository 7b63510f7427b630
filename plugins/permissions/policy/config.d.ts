export interface Config {
  /** Settings of the Pipeline Portal plugins. */
  pipelinePortal?: {
    permission?: {
      /**
       * Entity refs of the users and groups that hold the admin role
       * (for example `group:default/platform`). Admins are allowed everything;
       * every other signed-in user holds the member role.
       * @default []
       */
      admins?: string[];
    };
  };
}
